-- one row per person: the name most documents use, latest role, the country most often given,
-- first and last seen, documents and the forms the texts use
with mentions as (
    select
        i.person_name,
        m.entity_name,
        m.role,
        m.country_iso3,
        m.doc_id,
        m.start_char,
        d.published_date
    from {{ ref('stg_entity_mentions') }} as m
    inner join {{ ref('int_person_identities') }} as i on m.entity_name = i.entity_name
    inner join {{ ref('stg_documents') }} as d on m.doc_id = d.doc_id
    where m.entity_type = 'PERSON'
),

aggregated as (
    select
        person_name,
        -- the latest mention with a role: by date, then the document, then the later place in it
        arg_max(role, struct_pack(d := published_date, doc := doc_id, at := start_char)) filter (
            where role is not null
        ) as latest_role,
        -- the country most often given; ties go to the first in alphabetical order
        mode(country_iso3 order by country_iso3) filter (where country_iso3 is not null) as country_iso3,
        min(published_date) as first_seen,
        max(published_date) as last_seen,
        count(*) as mentions,
        list_sort(list(distinct entity_name), 'ASC', 'NULLS LAST') as names_used
    from mentions
    group by person_name
),

-- documents per person from dim_documents' people lists (the same identities, one entry per document):
-- a count(distinct doc_id) over every mention would hash millions of (person, document) pairs
documents as (
    select named.person_name, count(*) as documents
    from (select unnest(people) as person_name from {{ ref('dim_documents') }}) as named
    group by named.person_name
)

select
    a.person_name,
    a.latest_role,
    a.country_iso3,
    a.first_seen,
    a.last_seen,
    coalesce(n.documents, 0) as documents,
    a.mentions,
    a.names_used
from aggregated as a
left join documents as n on a.person_name = n.person_name
