# Turns a text file into a C++ string constant: dejima::jsonld::kCoreContextText.
file(READ ${IN} CONTENT)
file(WRITE ${OUT} "#include <string_view>\nnamespace dejima::jsonld {\nextern const std::string_view kCoreContextText;\nconst std::string_view kCoreContextText = R\"__ctx__(${CONTENT})__ctx__\";\n}\n")
