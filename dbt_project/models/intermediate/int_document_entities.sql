-- the people and organisations each document names, by their extracted name, with how often.
-- Counting documents per name from here is a count(*): over every mention it would be a
-- count(distinct doc_id), which hashes millions of (name, document) pairs on every run.
{{ incremental_by_document() }}

select
    m.doc_id,
    m.entity_type,
    m.entity_name,
    any_value(p.batch_id) as batch_id,
    count(*) as mentions
from {{ ref('stg_entity_mentions') }} as m
inner join {{ ref('stg_processed_documents') }} as p on m.doc_id = p.doc_id
where
    m.entity_type in ('PERSON', 'ORGANISATION')
    {% if is_incremental() %}and {{ new_rows_of('m') }}{% endif %}
group by m.doc_id, m.entity_type, m.entity_name
