-- the taxonomy as analysts read it: each theme, its parent and top-level theme, and the phrases that
-- signal it (the same seed files drive the matcher, so this is exactly what was matched)
with phrases as (
    select theme_id, list(phrase order by phrase) as phrases, count(*) as n_phrases
    from {{ ref('theme_phrases') }}
    where theme_id is not null
    group by theme_id
)

select
    t.theme_id,
    t.parent_theme_id,
    t.top_theme_id,
    t.label,
    coalesce(p.phrases, []) as phrases,
    coalesce(p.n_phrases, 0) as n_phrases
from {{ ref('stg_themes') }} as t
left join phrases as p on t.theme_id = p.theme_id
