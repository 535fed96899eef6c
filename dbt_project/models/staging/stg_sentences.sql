select * from {{ source('normalised', 'sentences') }}
