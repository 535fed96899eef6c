-- sentences in which the parties commit, agree, pledge, announce or will act, with their earliest deadline.
-- Extraction flags them (sentences.commits): here only their text is cut from the body, by a substring
-- that walks the body's UTF-8 from its start, too slow to run on every sentence (this model took 111 s of a
-- full build at a million documents when it cut all 15.7M, where 29% of sentences commit)
{{ incremental_by_document() }}

-- an incremental run filters every input by the new documents: DuckDB does not carry a semi-join
-- across the joins, and each unfiltered input is a scan of the whole history
with sentences as (
    select
        s.doc_id,
        s.sentence_no,
        d.published_date,
        substring(b.body, s.start_char + 1, s.end_char - s.start_char) as text
    from {{ ref('stg_sentences') }} as s
    inner join {{ ref('stg_documents') }} as d on s.doc_id = d.doc_id
    inner join {{ source('normalised', 'documents') }} as b on s.doc_id = b.doc_id
    where
        s.commits
        {% if is_incremental() %}
            and {{ new_rows_of('s') }}
            and d.doc_id in {{ new_documents() }}
            and b.doc_id in {{ new_documents() }}
            and b.ingested_at >= {{ new_documents_ingested_since() }}
        {% endif %}
),

deadlines as (
    select dm.doc_id, dm.sentence_no, min(dm.date_end) as due_date
    from {{ ref('stg_date_mentions') }} as dm
    where
        dm.role = 'deadline'
        {% if is_incremental() %}and {{ new_rows_of('dm') }}{% endif %}
    group by dm.doc_id, dm.sentence_no
)

select
    s.doc_id,
    s.sentence_no,
    p.batch_id,
    s.published_date,
    dl.due_date,
    s.text
from sentences as s
left join deadlines as dl on s.doc_id = dl.doc_id and s.sentence_no = dl.sentence_no
inner join {{ ref('stg_processed_documents') }} as p on s.doc_id = p.doc_id
