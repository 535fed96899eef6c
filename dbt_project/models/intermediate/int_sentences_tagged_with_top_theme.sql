-- each sentence's dominant top-level theme: the one with most matched phrases (ties: alphabetical)
with counted as (
    select
        m.doc_id,
        m.sentence_no,
        t.top_theme_id,
        count(*) as phrases
    from {{ ref('stg_theme_mentions') }} as m
    inner join {{ ref('stg_themes') }} as t on m.theme_id = t.theme_id
    group by m.doc_id, m.sentence_no, t.top_theme_id
)

select doc_id, sentence_no, top_theme_id
from counted
qualify row_number() over (partition by doc_id, sentence_no order by phrases desc, top_theme_id asc) = 1
