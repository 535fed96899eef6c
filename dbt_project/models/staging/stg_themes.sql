select
    theme_id,
    parent_theme_id,
    coalesce(parent_theme_id, theme_id) as top_theme_id,
    label
from {{ ref('themes') }}
