{#
  The documents an incremental model has not seen: those of extraction batches newer than the newest
  batch it holds. A re-extraction (a changed taxonomy or extractor) gives every document a new batch,
  so every document comes through again and `delete+insert` on doc_id replaces its rows. A table built
  before batches existed has no batch_id: then every document comes through once.
#}
{% macro new_documents() %}
    {%- set held = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    (
        select newer.doc_id from {{ ref('stg_processed_documents') }} as newer
        {%- if 'batch_id' in held %}
        where newer.batch_id > (select coalesce(max(held.batch_id), -1) from {{ this }} as held)
        {%- endif %}
    )
{% endmacro %}

{% macro incremental_by_document() %}
    {{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='delete+insert',
              on_schema_change='append_new_columns') }}
{% endmacro %}
