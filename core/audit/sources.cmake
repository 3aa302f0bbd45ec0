target_sources(keywarden-core PRIVATE
    audit/auditstore.cpp audit/auditstore.h
)
