select
    m.entity_name as organisation_name,
    arg_max(m.country_iso3, d.published_date) filter (where m.country_iso3 is not null) as country_iso3,
    list(distinct m.surface order by m.surface) as surfaces,
    min(d.published_date) as first_seen,
    max(d.published_date) as last_seen,
    count(distinct m.doc_id) as documents,
    count(*) as mentions
from {{ ref('stg_entity_mentions') }} as m
inner join {{ ref('stg_documents') }} as d on m.doc_id = d.doc_id
where m.entity_type = 'ORGANISATION'
group by m.entity_name
