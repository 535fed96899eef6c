-- each sentence's dominant top-level theme: the one with most matched phrases (ties: alphabetical)
{{ incremental_by_document() }}

with counted as (
    select
        m.doc_id,
        m.sentence_no,
        t.top_theme_id,
        count(*) as phrases
    from {{ ref('stg_theme_mentions') }} as m
    inner join {{ ref('stg_themes') }} as t on m.theme_id = t.theme_id
    {% if is_incremental() %}where {{ new_rows_of('m') }}{% endif %}
    group by m.doc_id, m.sentence_no, t.top_theme_id
)

select c.doc_id, c.sentence_no, c.top_theme_id, p.batch_id
from counted as c
inner join {{ ref('stg_processed_documents') }} as p on c.doc_id = p.doc_id
qualify row_number() over (partition by c.doc_id, c.sentence_no order by c.phrases desc, c.top_theme_id asc) = 1
