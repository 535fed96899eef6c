-- int_document_countries has one row per document and country: count(*) counts the documents
with named as (
    select country_iso3, count(*) as documents
    from {{ ref('int_document_countries') }}
    group by country_iso3
)

select
    c.country_iso3,
    c.country_iso2,
    c.country_name,
    c.official_name,
    coalesce(n.documents, 0) as documents
from {{ ref('countries') }} as c
left join named as n on c.country_iso3 = n.country_iso3
