-- per document and top-level theme: mentions, sentences, and whether the evidence is substantive.
-- A sub-theme phrase ("people smuggling", "ceasefire") is specific evidence on its own; the generic
-- words listed on a top-level theme ("security", "trade") need a second mention.
{{ incremental_by_document() }}

with sentence_mentions as (
    select
        m.doc_id,
        m.sentence_no,
        t.top_theme_id,
        count(*) as mentions,
        count(*) filter (where t.parent_theme_id is not null) as specific_mentions
    from {{ ref('stg_theme_mentions') }} as m
    inner join {{ ref('stg_themes') }} as t on m.theme_id = t.theme_id
    {% if is_incremental() %}where {{ new_rows_of('m') }}{% endif %}
    group by m.doc_id, m.sentence_no, t.top_theme_id
),

mentions as (
    -- sentences counted as rows of the step before: a distinct count per group holds a hash set for each
    select
        doc_id,
        top_theme_id,
        cast(sum(mentions) as bigint) as mentions,
        cast(sum(specific_mentions) as bigint) as specific_mentions,
        count(*) as sentences
    from sentence_mentions
    group by doc_id, top_theme_id
),

sentence_counts as (
    select s.doc_id, count(*) as n_sentences
    from {{ ref('stg_sentences') }} as s
    {% if is_incremental() %}where {{ new_rows_of('s') }}{% endif %}
    group by s.doc_id
)

select
    m.doc_id,
    p.batch_id,
    m.top_theme_id,
    m.mentions,
    m.specific_mentions,
    m.sentences,
    round(m.sentences / s.n_sentences, 4) as share_of_sentences,
    (
        m.specific_mentions >= {{ var('theme_min_specific_mentions') }}
        or m.mentions >= {{ var('theme_min_mentions') }}
    ) as is_about
from mentions as m
inner join sentence_counts as s on m.doc_id = s.doc_id
inner join {{ ref('stg_processed_documents') }} as p on m.doc_id = p.doc_id
