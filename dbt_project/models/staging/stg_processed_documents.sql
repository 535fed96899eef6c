select doc_id, batch_id from {{ source('normalised', 'processed_documents') }}
