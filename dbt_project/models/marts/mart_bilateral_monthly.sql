-- country pairs named in the same document, per month, with the pair's leading theme that month.
-- Incremental by month: a run recomputes only the months its new documents fall in.
-- depends_on: {{ ref('stg_processed_documents') }}
{{ config(materialized='incremental', unique_key='month', incremental_strategy='delete+insert',
          on_schema_change='append_new_columns') }}

with touched_months as (
    select distinct d.published_month as month
    from {{ ref('stg_documents') }} as d
    {% if is_incremental() %}where d.doc_id in {{ new_documents() }}{% endif %}
),

pairs as (
    select a.doc_id, a.country_iso3 as country_a, b.country_iso3 as country_b, greatest(a.batch_id, b.batch_id) as batch_id
    from {{ ref('int_document_countries') }} as a
    inner join {{ ref('int_document_countries') }} as b
        on a.doc_id = b.doc_id and a.country_iso3 < b.country_iso3
),

dated as (
    select p.*, d.published_month as month
    from pairs as p
    inner join {{ ref('stg_documents') }} as d on p.doc_id = d.doc_id
    where d.published_month in (select touched_months.month from touched_months)
),

pair_themes as (
    select p.month, p.country_a, p.country_b, s.top_theme_id, sum(s.mentions) as mentions
    from dated as p
    inner join {{ ref('int_document_theme_scores') }} as s on p.doc_id = s.doc_id and s.is_about
    group by p.month, p.country_a, p.country_b, s.top_theme_id
),

leading_theme as (
    select * from pair_themes
    qualify row_number() over (partition by month, country_a, country_b order by mentions desc, top_theme_id asc) = 1
)

select
    p.month,
    p.country_a,
    p.country_b,
    count(distinct p.doc_id) as documents,
    any_value(t.top_theme_id) as top_theme_id,
    max(p.batch_id) as batch_id
from dated as p
left join leading_theme as t on p.month = t.month and p.country_a = t.country_a and p.country_b = t.country_b
group by p.month, p.country_a, p.country_b
