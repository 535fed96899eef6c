-- depends_on: {{ ref('stg_processed_documents') }}
{{ config(materialized='incremental', unique_key='entity_name', incremental_strategy='delete+insert',
          on_schema_change='append_new_columns') }}
-- one identity per person across documents: names that differ only by initials or suffixes are one
-- ("Joseph R. Biden, Jr." = "Joseph Biden"), and a bare surname ("Biden") joins the full name with
-- that surname that most documents use
with names as (
    select
        entity_name,
        count(*) as documents,
        trim(regexp_replace(regexp_replace(entity_name, ',?\s+(Jr\.|Sr\.|II|III|IV)$', ''), '\s[A-Z]\.(\s|$)', ' ', 'g')) as base_name
    from {{ ref('int_document_entities') }}
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
),

resolved as (
    select
        k.entity_name,
        coalesce(case when k.is_full then k.base_name end, f.person_name, k.base_name) as person_name
    from keyed as k
    left join full_names as f on k.surname = f.surname
)

-- the mapping is recomputed from every mention (a new document can change which full name a surname
-- joins), but only new or changed names are written, stamped with the run's batch: dim_documents
-- rebuilds exactly the documents that mention them
select
    r.entity_name,
    r.person_name,
    (select max(p.batch_id) from {{ ref('stg_processed_documents') }} as p) as batch_id
from resolved as r
{% if is_incremental() %}
    left join {{ this }} as held on r.entity_name = held.entity_name
    where held.person_name is distinct from r.person_name
{% endif %}
