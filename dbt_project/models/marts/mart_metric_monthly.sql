select
    published_month as month,
    top_theme_id,
    metric_type,
    unit,
    count(*) as observations,
    -- compensated summation, rounded: the same total whatever order the rows arrive in
    round(fsum(value), 6) as total_value,
    median(value) as median_value
from {{ ref('fct_metric_observations') }}
group by published_month, top_theme_id, metric_type, unit
