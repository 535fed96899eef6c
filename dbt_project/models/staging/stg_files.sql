select * from {{ source('normalised', 'files') }}
