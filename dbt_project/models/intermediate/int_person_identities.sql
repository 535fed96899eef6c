-- one identity per person across documents: names that differ only by initials or suffixes are one
-- ("Joseph R. Biden, Jr." = "Joseph Biden"), and a bare surname ("Biden") joins the full name with
-- that surname that most documents use
with names as (
    select
        entity_name,
        count(distinct doc_id) as documents,
        trim(regexp_replace(regexp_replace(entity_name, ',?\s+(Jr\.|Sr\.|II|III|IV)$', ''), '\s[A-Z]\.(\s|$)', ' ', 'g')) as base_name
    from {{ ref('stg_entity_mentions') }}
    where entity_type = 'PERSON'
    group by entity_name
),

keyed as (
    select *, regexp_extract(base_name, '(\S+)$', 1) as surname, base_name like '% %' as is_full
    from names
),

full_name_counts as (
    select surname, base_name, sum(documents) as documents
    from keyed
    where is_full
    group by surname, base_name
),

full_names as (
    select surname, arg_max(base_name, documents) as person_name
    from full_name_counts
    group by surname
)

select
    k.entity_name,
    coalesce(case when k.is_full then k.base_name end, f.person_name, k.base_name) as person_name
from keyed as k
left join full_names as f on k.surname = f.surname
