-- country pairs named in the same document, per month, with the pair's leading theme that month.
-- Incremental by month: a run recomputes only the months its new documents fall in.
-- At a million documents the pairs meet their documents' themes in ~160M rows: themes travel as small
-- integers so the aggregation fits DuckDB's memory limit (and spills when it does not).
-- depends_on: {{ ref('stg_processed_documents') }}
{{ incremental_by_month() }}

with theme_keys as (
    select top_theme_id, cast(row_number() over (order by top_theme_id) as utinyint) as theme_key
    from (select distinct top_theme_id from {{ ref('stg_themes') }}) as t
),

pairs as (
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

pair_documents as (
    -- a document has one row per pair: rows are documents
    select month, country_a, country_b, count(*) as documents, max(batch_id) as batch_id
    from pairs
    group by month, country_a, country_b
),

pair_themes as (
    select p.month, p.country_a, p.country_b, k.theme_key, sum(cast(s.mentions as integer)) as mentions
    from pairs as p
    inner join {{ ref('int_document_theme_scores') }} as s on p.doc_id = s.doc_id and s.is_about
    inner join theme_keys as k on s.top_theme_id = k.top_theme_id
    group by p.month, p.country_a, p.country_b, k.theme_key
),

leading_theme as (
    -- the most mentioned theme; ties go to the first in alphabetical order (the smallest key)
    select month, country_a, country_b, arg_max(theme_key, mentions * 256 - theme_key) as theme_key
    from pair_themes
    group by month, country_a, country_b
)

select
    p.month,
    p.country_a,
    p.country_b,
    p.documents,
    k.top_theme_id,
    p.batch_id
from pair_documents as p
left join leading_theme as t on p.month = t.month and p.country_a = t.country_a and p.country_b = t.country_b
left join theme_keys as k on t.theme_key = k.theme_key
