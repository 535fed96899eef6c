select
    published_month as month,
    top_theme_id,
    metric_type,
    unit,
    count(*) as observations,
    sum(value) as total_value,
    median(value) as median_value
from {{ ref('fct_metric_observations') }}
group by published_month, top_theme_id, metric_type, unit
