-- one row per commitment sentence, with its deadline, countries and themes, and its status as of a day
-- (the var as_of_date, by default the day of the run). A view: the rows are built incrementally in
-- int_commitments, and only the status changes from one day to the next.
{{ config(materialized='view') }}

select
    doc_id,
    sentence_no,
    published_date,
    due_date,
    countries,
    themes,
    text,
    case
        when due_date is null then 'open'
        when due_date <= cast('{{ var("as_of_date") }}' as date) then 'due'
        else 'open'
    end as status,
    batch_id
from {{ ref('int_commitments') }}
