select
    c.country_iso3,
    c.country_iso2,
    c.country_name,
    c.official_name,
    coalesce(m.documents, 0) as documents
from {{ ref('countries') }} as c
left join (
    select country_iso3, count(distinct doc_id) as documents
    from {{ ref('int_document_countries') }}
    group by country_iso3
) as m on c.country_iso3 = m.country_iso3
