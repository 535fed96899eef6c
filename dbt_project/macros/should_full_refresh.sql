{#
  dbt's own `should_full_refresh`, which every materialisation and `is_incremental()` ask, with one rule
  added: an incremental model most of whose documents are new to it is rebuilt whole rather than merged.
  A re-extraction (a changed extractor or lookup seed) gives every document a new batch, and merging them
  all by `delete+insert` writes every row through a temporary table and deletes every old one: at a
  million documents that ran dbt past its 4 GB and failed the run, where a rebuild is the first build's
  query. `--full-refresh` and a model's `full_refresh` config still decide first.
#}
{% macro should_full_refresh() %}
    {%- set configured = config.get('full_refresh') -%}
    {%- if configured is none -%}
        {%- set configured = flags.FULL_REFRESH -%}
    {%- endif -%}
    {%- if configured -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(mostly_new_documents()) }}
{% endmacro %}

{#
  True for an incremental model by document or by month (whose newest batch says which documents it has
  seen) that exists, when more than `full_rebuild_share` of the processed documents are of newer batches
  than it holds. Not int_person_identities: keyed by name, it writes only the names whose identity
  changed, so its newest batch can be older than the documents it has seen. Read from the source table,
  not a ref: a model that does not ref stg_processed_documents may not ref it at run time either.
#}
{% macro mostly_new_documents() %}
    {%- if not execute or model.resource_type != 'model' or config.get('materialized') != 'incremental'
        or config.get('unique_key') not in ('doc_id', 'month') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if adapter.get_relation(this.database, this.schema, this.identifier) is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set counts = run_query(
        "select count(*) filter (where batch_id > " ~ held_batch() ~ "), count(*) from "
        ~ source('normalised', 'processed_documents')
    ).rows[0] -%}
    {%- set new, total = counts[0], counts[1] -%}
    {{ return(total > 0 and new > total * var('full_rebuild_share')) }}
{% endmacro %}
