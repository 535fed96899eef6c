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
)

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
    count(distinct doc_id) as documents,
    count(*) as mentions,
    list(distinct entity_name order by entity_name) as names_used
from mentions
group by person_name
