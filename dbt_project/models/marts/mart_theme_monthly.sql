-- documents about each top-level theme per month, and their share of the month's documents.
-- Incremental by month: a run recomputes the months its new documents fall in.
-- depends_on: {{ ref('stg_processed_documents') }}
{{ incremental_by_month() }}

with about as (
    select d.published_month as month, s.top_theme_id, s.doc_id, s.mentions, s.batch_id
    from {{ ref('int_document_theme_scores') }} as s
    inner join {{ ref('stg_documents') }} as d on s.doc_id = d.doc_id
    where
        s.is_about
        {% if is_incremental() %}and d.published_month in {{ touched_months() }}{% endif %}
),

monthly_documents as (
    select published_month as month, count(*) as all_documents
    from {{ ref('stg_documents') }}
    {% if is_incremental() %}where published_month in {{ touched_months() }}{% endif %}
    group by published_month
)

select
    a.month,
    a.top_theme_id,
    count(*) as documents,
    sum(a.mentions) as mentions,
    round(count(*) / any_value(m.all_documents), 4) as share_of_documents,
    max(a.batch_id) as batch_id
from about as a
inner join monthly_documents as m on a.month = m.month
group by a.month, a.top_theme_id
