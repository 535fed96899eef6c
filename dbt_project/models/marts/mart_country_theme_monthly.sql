-- documents per month, country and top-level theme. Incremental by month: a run recomputes the months
-- its new documents fall in.
-- depends_on: {{ ref('stg_processed_documents') }}
{{ incremental_by_month() }}

select
    d.published_month as month,
    c.country_iso3,
    s.top_theme_id,
    -- a document has one row per country and one per theme, so its rows here are distinct
    count(*) as documents,
    sum(s.mentions) as mentions,
    max(s.batch_id) as batch_id
from {{ ref('int_document_theme_scores') }} as s
inner join {{ ref('int_document_countries') }} as c on s.doc_id = c.doc_id
inner join {{ ref('stg_documents') }} as d on s.doc_id = d.doc_id
where
    s.is_about
    {% if is_incremental() %}and d.published_month in {{ touched_months() }}{% endif %}
group by d.published_month, c.country_iso3, s.top_theme_id
