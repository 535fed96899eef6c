-- the countries each document names, with how often
select
    doc_id,
    country_iso3,
    count(*) as mentions
from {{ ref('stg_entity_mentions') }}
where entity_type = 'COUNTRY' and country_iso3 is not null
group by doc_id, country_iso3
