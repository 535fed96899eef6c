select * from {{ source('normalised', 'date_mentions') }}
