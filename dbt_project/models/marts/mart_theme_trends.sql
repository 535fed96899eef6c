-- share of documents per top-level theme, this quarter against the previous one: which rose and fell most.
-- Built from the monthly marts (a document falls in one month, so monthly counts add up to quarters).
with quarterly as (
    select
        cast(date_trunc('quarter', month) as date) as quarter,
        top_theme_id,
        cast(sum(documents) as bigint) as documents
    from {{ ref('mart_theme_monthly') }}
    group by 1, 2
),

totals as (
    select cast(date_trunc('quarter', month) as date) as quarter, cast(sum(documents) as bigint) as all_documents
    from {{ ref('mart_documents_monthly') }}
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
