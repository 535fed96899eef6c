select * from {{ source('normalised', 'quarantine') }}
