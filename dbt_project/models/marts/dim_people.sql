-- one row per person (canonical name): latest role and country, first and last seen, documents
with mentions as (
    select m.entity_name, m.role, m.country_iso3, m.doc_id, d.published_date
    from {{ ref('stg_entity_mentions') }} as m
    inner join {{ ref('stg_documents') }} as d on m.doc_id = d.doc_id
    where m.entity_type = 'PERSON'
)

select
    entity_name as person_name,
    arg_max(role, published_date) filter (where role is not null) as latest_role,
    arg_max(country_iso3, published_date) filter (where country_iso3 is not null) as country_iso3,
    min(published_date) as first_seen,
    max(published_date) as last_seen,
    count(distinct doc_id) as documents,
    count(*) as mentions
from mentions
group by entity_name
