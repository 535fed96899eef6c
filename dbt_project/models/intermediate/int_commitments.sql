-- depends_on: {{ ref('stg_processed_documents') }}
-- one row per commitment sentence, with its deadline, countries and themes: mart_commitments adds the
-- status, which depends on the day. Incremental by document.
{{ incremental_by_document() }}

with commitments as (
    select cs.*
    from {{ ref('int_commitment_sentences') }} as cs
    {% if is_incremental() %}where {{ new_rows_of('cs') }}{% endif %}
),

sentence_themes as (
    -- only the commitment sentences' mentions, found by the sentences' flag: joined to `commitments`, whose
    -- rows carry their text, DuckDB kept that CTE in memory for both its uses (at a million documents the
    -- model's query took 13.6-16.0 s against 8.2-9.2 s, the same rows)
    select m.doc_id, m.sentence_no, list_sort(list(distinct t.top_theme_id), 'ASC', 'NULLS LAST') as themes
    from {{ ref('stg_theme_mentions') }} as m
    inner join {{ ref('stg_sentences') }} as s on m.doc_id = s.doc_id and m.sentence_no = s.sentence_no
    inner join {{ ref('stg_themes') }} as t on m.theme_id = t.theme_id
    where
        s.commits
        {% if is_incremental() %}and {{ new_rows_of('m') }} and {{ new_rows_of('s') }}{% endif %}
    group by m.doc_id, m.sentence_no
)

select
    c.doc_id,
    c.sentence_no,
    c.published_date,
    c.due_date,
    d.countries,
    coalesce(st.themes, []) as themes,
    c.text,
    c.batch_id
from commitments as c
inner join {{ ref('dim_documents') }} as d on c.doc_id = d.doc_id
left join sentence_themes as st on c.doc_id = st.doc_id and c.sentence_no = st.sentence_no
{% if is_incremental() %}where {{ new_rows_of('d') }}{% endif %}
