select
    published_month as month,
    count(*) as documents,
    sum(n_words) as words
from {{ ref('stg_documents') }}
group by published_month
