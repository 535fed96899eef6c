select * from {{ source('normalised', 'entity_mentions') }}
