-- one row per organisation: the country most recently given, the forms the texts use, first and
-- last seen, documents (from int_document_entities, one row per document and name) and mentions
with aggregated as (
    select
        m.entity_name as organisation_name,
        arg_max(m.country_iso3, d.published_date) filter (where m.country_iso3 is not null) as country_iso3,
        list_sort(list(distinct m.surface), 'ASC', 'NULLS LAST') as surfaces,
        min(d.published_date) as first_seen,
        max(d.published_date) as last_seen,
        count(*) as mentions
    from {{ ref('stg_entity_mentions') }} as m
    inner join {{ ref('stg_documents') }} as d on m.doc_id = d.doc_id
    where m.entity_type = 'ORGANISATION'
    group by m.entity_name
),

documents as (
    select entity_name, count(*) as documents
    from {{ ref('int_document_entities') }}
    where entity_type = 'ORGANISATION'
    group by entity_name
)

select
    a.organisation_name,
    a.country_iso3,
    a.surfaces,
    a.first_seen,
    a.last_seen,
    n.documents,
    a.mentions
from aggregated as a
inner join documents as n on a.organisation_name = n.entity_name
