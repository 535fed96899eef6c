-- share of documents per top-level theme, this quarter against the previous one: which rose and fell most
with quarterly as (
    select
        cast(date_trunc('quarter', d.published_date) as date) as quarter,
        s.top_theme_id,
        count(*) as documents
    from {{ ref('int_document_theme_scores') }} as s
    inner join {{ ref('stg_documents') }} as d on s.doc_id = d.doc_id
    where s.is_about
    group by 1, 2
),

totals as (
    select cast(date_trunc('quarter', published_date) as date) as quarter, count(*) as all_documents
    from {{ ref('stg_documents') }}
    group by 1
),

shares as (
    select q.quarter, q.top_theme_id, q.documents, round(q.documents / t.all_documents, 4) as share_of_documents
    from quarterly as q
    inner join totals as t on q.quarter = t.quarter
)

select
    quarter,
    top_theme_id,
    documents,
    share_of_documents,
    lag(share_of_documents) over (partition by top_theme_id order by quarter) as previous_share,
    share_of_documents - lag(share_of_documents) over (partition by top_theme_id order by quarter) as share_change
from shares
