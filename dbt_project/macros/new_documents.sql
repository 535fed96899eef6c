{#
  The documents an incremental model has not seen: those of extraction batches newer than the newest
  batch it holds. A re-extraction (a changed taxonomy or extractor) gives every document a new batch,
  so every document comes through again and `delete+insert` on doc_id replaces its rows. A table built
  before batches existed has no batch_id: then every document comes through once.
#}
{% macro new_documents() %}
    (
        select newer.doc_id from {{ ref('stg_processed_documents') }} as newer
        where newer.batch_id > {{ held_batch() }}
    )
{% endmacro %}

{#
  `alias`'s rows of the documents an incremental model has not seen, where `alias` carries the extraction
  batch (batch_id): a fact table (each row its document's batch) or an incremental model stamped with it.
  The range on batch_id lets DuckDB skip the older row groups by their zone maps, which the semi-join on
  doc_id alone reads in full (0.2-0.3 s a table at a million documents). A new document's rows carry its
  batch (or, in a model, a newer one), which is newer than any this model holds, so the range drops none.
#}
{% macro new_rows_of(alias) %}
    {{ alias }}.batch_id > {{ held_batch() }} and {{ alias }}.doc_id in {{ new_documents() }}
{%- endmacro %}

{#
  When the new documents were first ingested, as a timestamp literal computed when the model runs: a
  constant bound on ingested_at lets DuckDB skip, by zone maps, the row groups of older documents (their
  bodies are most of the warehouse's bytes), which the semi-join on new_documents alone does not.
#}
{% macro new_documents_ingested_since() %}
    {%- if execute -%}
        {%- set found = run_query(
            "select min(since.ingested_at) from " ~ source('normalised', 'documents') ~ " as since"
            ~ " where since.doc_id in " ~ new_documents()
        ).columns[0].values()[0] -%}
        {%- if found is none -%}cast(null as timestamp){%- else -%}timestamp '{{ found }}'{%- endif -%}
    {%- else -%}
        cast(null as timestamp)
    {%- endif -%}
{% endmacro %}

{# The newest extraction batch an incremental model holds (-1 when it has no batch_id column yet). #}
{% macro held_batch() %}
    {%- set held = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'batch_id' in held -%}
        (select coalesce(max(held.batch_id), -1) from {{ this }} as held)
    {%- else -%}
        -1
    {%- endif -%}
{% endmacro %}

{% macro incremental_by_document() %}
    {{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='delete+insert',
              on_schema_change='append_new_columns') }}
{% endmacro %}

{#
  The publication months of the documents an incremental model has not seen: a model incremental by
  month (`delete+insert` on month) rebuilds exactly these.
#}
{% macro touched_months() %}
    (
        select distinct touched.published_month from {{ ref('stg_documents') }} as touched
        where touched.doc_id in {{ new_documents() }}
    )
{% endmacro %}

{% macro incremental_by_month() %}
    {{ config(materialized='incremental', unique_key='month', incremental_strategy='delete+insert',
              on_schema_change='append_new_columns') }}
{% endmacro %}
