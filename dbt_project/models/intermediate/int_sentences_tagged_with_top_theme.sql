-- each sentence's dominant top-level theme: the one with most matched phrases (ties: alphabetical)
{{ incremental_by_document() }}

with theme_keys as (
    -- a top-level theme's rank in alphabetical order, so a tie on phrases goes to the smaller rank
    select theme_id, top_theme_id, dense_rank() over (order by top_theme_id) as theme_rank
    from {{ ref('stg_themes') }}
),

counted as (
    select
        m.doc_id,
        m.sentence_no,
        k.top_theme_id,
        k.theme_rank,
        count(*) as phrases
    from {{ ref('stg_theme_mentions') }} as m
    inner join theme_keys as k on m.theme_id = k.theme_id
    {% if is_incremental() %}where {{ new_rows_of('m') }}{% endif %}
    group by m.doc_id, m.sentence_no, k.top_theme_id, k.theme_rank
),

dominant as (
    -- an aggregate per sentence, not a window over all of them (a sort of every sentence's themes)
    select doc_id, sentence_no, arg_max(top_theme_id, phrases * 1024 - theme_rank) as top_theme_id
    from counted
    group by doc_id, sentence_no
)

select d.doc_id, d.sentence_no, d.top_theme_id, p.batch_id
from dominant as d
inner join {{ ref('stg_processed_documents') }} as p on d.doc_id = p.doc_id
