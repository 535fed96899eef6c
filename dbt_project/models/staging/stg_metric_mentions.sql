select * from {{ source('normalised', 'metric_mentions') }}
