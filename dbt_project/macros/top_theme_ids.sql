{#
  The top-level theme ids, in alphabetical order, read from stg_themes when the model runs: a model that
  lays themes out as columns (one per theme) renders its columns from them. A model calling this declares
  `-- depends_on: {{ ref('stg_themes') }}`, since the ref here is rendered only at run time.
#}
{% macro top_theme_ids() %}
    {%- if execute -%}
        {%- set found = run_query(
            "select distinct top_theme_id from " ~ ref('stg_themes') ~ " order by top_theme_id"
        ) -%}
        {{ return(found.columns[0].values() | list) }}
    {%- else -%}
        {{ return([]) }}
    {%- endif -%}
{% endmacro %}
