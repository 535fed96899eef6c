-- theme mentions in documents that are about the theme (passing words stay in normalised.theme_mentions)
{{ incremental_by_document() }}

select
    m.doc_id,
    m.sentence_no,
    m.start_char,
    m.end_char,
    m.surface,
    m.theme_id,
    t.top_theme_id,
    d.published_date,
    pd.batch_id,
    d.published_month
from {{ ref('stg_theme_mentions') }} as m
inner join {{ ref('stg_themes') }} as t on m.theme_id = t.theme_id
inner join {{ ref('int_document_theme_scores') }} as s
    on m.doc_id = s.doc_id and t.top_theme_id = s.top_theme_id and s.is_about
inner join {{ ref('stg_documents') }} as d on m.doc_id = d.doc_id
inner join {{ ref('stg_processed_documents') }} as pd on m.doc_id = pd.doc_id
{% if is_incremental() %}
    -- every input filtered by the new documents (see int_commitment_sentences)
    where
        {{ new_rows_of('m') }}
        and {{ new_rows_of('s') }}
        and d.doc_id in {{ new_documents() }}
{% endif %}
