select * from {{ source('normalised', 'theme_mentions') }}
