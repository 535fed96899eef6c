-- the countries each document names, with how often
{{ incremental_by_document() }}

select
    m.doc_id,
    m.country_iso3,
    any_value(p.batch_id) as batch_id,
    count(*) as mentions
from {{ ref('stg_entity_mentions') }} as m
inner join {{ ref('stg_processed_documents') }} as p on m.doc_id = p.doc_id
where
    m.entity_type = 'COUNTRY' and m.country_iso3 is not null
    {% if is_incremental() %}and {{ new_rows_of('m') }}{% endif %}
group by m.doc_id, m.country_iso3
