target_sources(keywarden-core PRIVATE
    audit/auditlog.cpp audit/auditlog.h
    audit/auditstore.cpp audit/auditstore.h
    audit/auditvault.cpp audit/auditvault.h
)
