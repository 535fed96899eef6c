-- per document and top-level theme: mentions, sentences that mention it, and whether the evidence
-- is substantive (enough sentences, or a large enough share of them), which makes the document about it
with mentions as (
    select
        m.doc_id,
        t.top_theme_id,
        count(*) as mentions,
        count(distinct m.sentence_no) as sentences
    from {{ ref('stg_theme_mentions') }} as m
    inner join {{ ref('stg_themes') }} as t on m.theme_id = t.theme_id
    group by m.doc_id, t.top_theme_id
),

sentence_counts as (
    select doc_id, count(*) as n_sentences
    from {{ ref('stg_sentences') }}
    group by doc_id
)

select
    m.doc_id,
    m.top_theme_id,
    m.mentions,
    m.sentences,
    round(m.sentences / s.n_sentences, 4) as share_of_sentences,
    (
        m.sentences >= {{ var('theme_min_sentences') }}
        or m.sentences / s.n_sentences >= {{ var('theme_min_share') }}
    ) as is_about
from mentions as m
inner join sentence_counts as s on m.doc_id = s.doc_id
