select
    doc_id,
    file_name,
    published_date,
    cast(date_trunc('month', published_date) as date) as published_month,
    n_words,
    n_chars,
    ingested_at
from {{ source('normalised', 'documents') }}
