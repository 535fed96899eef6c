-- country pairs named in the same document, per month, with the pair's leading theme that month.
-- Incremental by month: a run recomputes only the months its new documents fall in.
-- A document's themes are one row with a column per top-level theme, so a pair's theme mentions are sums
-- over its documents' rows: at a million documents, ~15M pair rows, where a row per pair and theme made
-- ~160M to group.
-- depends_on: {{ ref('stg_processed_documents') }}
-- depends_on: {{ ref('stg_themes') }}
{{ incremental_by_month() }}
{%- set themes = top_theme_ids() %}
{%- set theme_columns %}{% for theme in themes %}theme_{{ loop.index }}{{ ", " if not loop.last }}{% endfor %}{% endset %}
{%- set theme_names %}{% for theme in themes %}'{{ theme }}'{{ ", " if not loop.last }}{% endfor %}{% endset %}

with pairs as (
    select
        d.published_month as month,
        a.doc_id,
        a.country_iso3 as country_a,
        b.country_iso3 as country_b,
        greatest(a.batch_id, b.batch_id) as batch_id
    from {{ ref('stg_documents') }} as d
    inner join {{ ref('int_document_countries') }} as a on d.doc_id = a.doc_id
    inner join {{ ref('int_document_countries') }} as b
        on a.doc_id = b.doc_id and a.country_iso3 < b.country_iso3
    {% if is_incremental() %}where d.published_month in {{ touched_months() }}{% endif %}
),

document_themes as (
    -- one row per document: its mentions of each theme it is about (null for the others)
    select
        {%- for theme in themes %}
            cast(sum(s.mentions) filter (where s.top_theme_id = '{{ theme }}') as integer) as theme_{{ loop.index }},
        {%- endfor %}
        s.doc_id
    from {{ ref('int_document_theme_scores') }} as s
    where
        s.is_about
        {% if is_incremental() %}and s.doc_id in (select pairs.doc_id from pairs){% endif %}
    group by s.doc_id
),

pair_months as (
    -- a document has one row per pair: rows are documents
    select
        p.month,
        p.country_a,
        p.country_b,
        {%- for theme in themes %}
            sum(t.theme_{{ loop.index }}) as theme_{{ loop.index }},
        {%- endfor %}
        count(*) as documents,
        max(p.batch_id) as batch_id
    from pairs as p
    left join document_themes as t on p.doc_id = t.doc_id
    group by p.month, p.country_a, p.country_b
)

select
    month,
    country_a,
    country_b,
    documents,
    -- the most mentioned theme; ties go to the first in alphabetical order (list_position finds the first);
    -- null when no document of the pair is about a theme
    case
        when greatest({{ theme_columns }}) is not null
            then list_value({{ theme_names }})[list_position(list_value({{ theme_columns }}), greatest({{ theme_columns }}))]
    end as top_theme_id,
    batch_id
from pair_months
