select theme_id, parent_theme_id, top_theme_id, label
from {{ ref('stg_themes') }}
