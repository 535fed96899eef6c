{{ incremental_by_document() }}

select
    m.doc_id,
    m.sentence_no,
    m.start_char,
    m.end_char,
    m.surface,
    m.metric_type,
    m.value,
    m.unit,
    m.qualifier,
    m.object,
    d.published_date,
    pd.batch_id,
    d.published_month,
    coalesce(st.top_theme_id, 'UNTHEMED') as top_theme_id,
    dd.countries
from {{ ref('stg_metric_mentions') }} as m
inner join {{ ref('stg_documents') }} as d on m.doc_id = d.doc_id
inner join {{ ref('dim_documents') }} as dd on m.doc_id = dd.doc_id
left join {{ ref('int_sentences_tagged_with_top_theme') }} as st
    on
        m.doc_id = st.doc_id and m.sentence_no = st.sentence_no
        {% if is_incremental() %}and {{ new_rows_of('st') }}{% endif %}
inner join {{ ref('stg_processed_documents') }} as pd on m.doc_id = pd.doc_id
{% if is_incremental() %}
    -- every input filtered by the new documents (see int_commitment_sentences)
    where
        {{ new_rows_of('m') }}
        and d.doc_id in {{ new_documents() }}
        and {{ new_rows_of('dd') }}
{% endif %}
