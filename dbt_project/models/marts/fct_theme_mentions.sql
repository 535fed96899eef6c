-- theme mentions in documents that are about the theme (passing words stay in normalised.theme_mentions)
{{ incremental_by_document() }}

select
    m.doc_id,
    m.sentence_no,
    m.start_char,
    m.end_char,
    m.surface,
    m.theme_id,
    t.top_theme_id,
    d.published_date,
    pd.batch_id,
    d.published_month
from {{ ref('stg_theme_mentions') }} as m
inner join {{ ref('stg_themes') }} as t on m.theme_id = t.theme_id
inner join {{ ref('stg_documents') }} as d on m.doc_id = d.doc_id
inner join {{ ref('stg_processed_documents') }} as pd on m.doc_id = pd.doc_id
-- a semi-join, not a fourth inner join (a document has one score row per theme, so the rows are the same):
-- as a join, DuckDB's join order built its hash table from the scores joined to every sub-theme of their
-- theme (37M rows at a million documents), which spilled past dbt's memory limit and took 58 s of the
-- model's build against 21 s as a semi-join
where
    exists (
        select 1 from {{ ref('int_document_theme_scores') }} as s
        where
            s.doc_id = m.doc_id
            and s.top_theme_id = t.top_theme_id
            and s.is_about
            {% if is_incremental() %}and {{ new_rows_of('s') }}{% endif %}
    )
    {% if is_incremental() %}
        -- every input filtered by the new documents (see int_commitment_sentences)
        and {{ new_rows_of('m') }}
        and d.doc_id in {{ new_documents() }}
    {% endif %}
