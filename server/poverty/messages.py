"""One catalogue of coded, human-worded messages: errors and notes, in Vietnamese and English."""
import json

# code -> (Vietnamese, English); {name} fields are filled from the message's parameters.
CATALOGUE = {
    # Shape and type of a value.
    "required": ("Thiếu thông tin bắt buộc.", "This field is required."),
    "null": ("Không được để trống.", "This field may not be empty (null)."),
    "unknown_field": ("Trường này không có trong mẫu hồ sơ hộ.", "Unknown field: not part of the record."),
    "not_object": ("Phải là một nhóm thông tin (đối tượng JSON).", "Must be an object."),
    "not_list": ("Phải là một danh sách.", "Must be a list."),
    "not_string": ("Phải là chữ (chuỗi ký tự).", "Must be a string."),
    "not_integer": ("Phải là số nguyên.", "Must be a whole number."),
    "not_number": ("Phải là số.", "Must be a number."),
    "not_boolean": ("Phải là có (true) hoặc không (false).", "Must be true or false."),
    "invalid_value": ("Giá trị không hợp lệ ({detail}).", "Invalid value ({detail})."),
    "empty_string": ("Không được để trống.", "May not be blank."),
    # The same words as server.core.jsontext.CONTROL_MESSAGE (a test holds them equal).
    "control_character": ("Có ký tự điều khiển (không in được) trong chữ; hãy gõ lại.",
                          "The text holds a control (non-printing) character; type it again."),
    "date_out_of_range": ("Năm phải từ {min} đến {max}.", "The year must be between {min} and {max}."),
    "too_long": ("Dài quá {max} ký tự.", "Longer than {max} characters."),
    "out_of_range": ("Giá trị phải từ {min} đến {max}.", "Must be between {min} and {max}."),
    "invalid_choice": ("Giá trị không hợp lệ; chọn một trong: {choices}.",
                       "Not a valid choice; use one of: {choices}."),
    "invalid_ethnicity": ("Mã dân tộc không có trong danh mục 54 dân tộc.",
                          "Not one of the 54 ethnic-group codes."),
    "invalid_uuid": ("Mã định danh phải là UUID dạng xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.",
                     "Must be a UUID written as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx."),
    "invalid_date": ("Ngày không hợp lệ; ghi theo dạng NNNN-TT-NN (ví dụ 1985-03-27).",
                     "Not a valid date; write it as YYYY-MM-DD (e.g. 1985-03-27)."),
    "invalid_datetime": ("Thời điểm không hợp lệ; ghi theo ISO 8601 có múi giờ (ví dụ 2025-10-05T08:30:00+07:00).",
                         "Not a valid time; use ISO 8601 with an offset (e.g. 2025-10-05T08:30:00+07:00)."),
    "invalid_commune_code": ("Mã xã phải gồm đúng 5 chữ số (ví dụ 06529).",
                             "A commune code is exactly 5 digits (e.g. 06529)."),
    "invalid_id_number": ("Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số.",
                          "A CCCD / personal ID number is exactly 12 digits."),
    "invalid_code": ("Mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới.",
                     "A code holds only lower-case ASCII letters, digits and underscores."),
    "invalid_sha256": ("Mã băm SHA-256 phải gồm 64 ký tự hệ 16.", "A SHA-256 digest is 64 hexadecimal characters."),
    "duplicate_value": ("Giá trị bị lặp: {value}.", "Duplicate value: {value}."),
    # The household as a whole.
    "members_count": ("Hộ phải có từ {min} đến {max} thành viên.", "A household has {min} to {max} members."),
    "head_count": ("Hộ phải có đúng một chủ hộ (hiện có {count}).",
                   "A household has exactly one head (this one has {count})."),
    "duplicate_line": ("Số thứ tự thành viên {line} bị lặp.", "Member line {line} is used twice."),
    "duplicate_id_number": ("Số CCCD này đã ghi cho thành viên khác trong hộ.",
                            "This ID number is already given for another member."),
    "birth_missing": ("Cần ngày sinh hoặc năm sinh.", "A birth date or a birth year is needed."),
    "birth_year_mismatch": ("Năm sinh không khớp với ngày sinh.", "The birth year does not match the birth date."),
    "born_after_interview": ("Ngày sinh sau ngày phỏng vấn.", "Born after the interview date."),
    "too_old": ("Tuổi tính ra lớn hơn {max}; kiểm tra lại ngày sinh.",
                "The age works out above {max}; check the birth date."),
    "ended_before_started": ("Giờ kết thúc trước giờ bắt đầu phỏng vấn.", "The interview ends before it starts."),
    "b1_points_missing": ("Với cách ước tính bằng điểm B1, cần ghi tổng điểm B1.",
                          "With the B1 points method, the B1 total is needed."),
    "annual_income_missing": ("Với cách tính thu nhập thực tế, cần ghi tổng thu nhập 12 tháng qua.",
                              "With the actual-income method, the income of the last 12 months is needed."),
    # What a rule set needs of a record.
    "no_rule_set_for_year": ("Chưa có bộ tiêu chí chuẩn nghèo cho năm rà soát {year}.",
                             "No poverty rule set covers review year {year}."),
    "answer_required_by_rule_set": ("Bộ tiêu chí {rule_set} cần câu trả lời này.",
                                    "Rule set {rule_set} needs this answer."),
    "unknown_quick_screen_item": ("Mục này không có trong Phiếu A phiên bản {form}.",
                                  "This item is not in quick-screen form {form}."),
    "area_unknown": ("Không xác định được thành thị/nông thôn từ mã xã {commune}; hãy ghi trường area.",
                     "Cannot tell urban from rural from commune code {commune}; give the area field."),
    "b1_no_threshold": ("Bộ tiêu chí {rule_set} chưa có ngưỡng điểm B1; hãy dùng thu nhập thực tế.",
                        "Rule set {rule_set} has no B1 points threshold loaded; use actual income."),
    "b1_points_disagree": ("Tổng điểm B1 ghi là {given}, nhưng tính từ các mục B1 được {computed}.",
                           "The B1 total says {given}, but the B1 items add up to {computed}."),
    "b1_item_unknown": ("Mục B1 này không có trong bảng điểm đã nạp.", "This B1 item is not in the loaded point table."),
    "b1_answer_unknown": ("Câu trả lời {answer} không có trong bảng điểm cho mục này.",
                          "Answer {answer} is not in the point table for this item."),
    "b1_item_missing": ("Chưa trả lời mục B1 này.", "This B1 item is not answered."),
    "b1_region_missing": ("Bảng điểm không có cột vùng {region}.", "The point table has no column for region {region}."),
    "b1_no_region": ("Bộ tiêu chí không chỉ định vùng điểm B1 cho tỉnh {province}.",
                     "The rule set names no B1 region for province {province}."),
    "b1_table_rule_set": ("Bảng điểm thuộc bộ tiêu chí {table}, không dùng được cho {rule_set}.",
                          "The point table belongs to rule set {table}, not {rule_set}."),
    # Point tables.
    "table_unreadable": ("Không đọc được tệp bảng điểm: {detail}.", "Cannot read the point table file: {detail}."),
    "table_empty": ("Bảng điểm không có dòng nào.", "The point table has no rows."),
    "missing_column": ("Thiếu cột {column}.", "Column {column} is missing."),
    "no_region_columns": ("Bảng điểm không có cột điểm theo vùng nào.", "The point table has no region columns."),
    "points_missing": ("Thiếu điểm cho vùng này.", "No points given for this region."),
    "points_not_integer": ("Điểm phải là số nguyên (đang ghi {value}).", "Points must be whole numbers (found {value})."),
    "duplicate_answer": ("Mục {item}, câu trả lời {answer} đã có ở dòng {first_row}.",
                         "Item {item}, answer {answer} is already on row {first_row}."),
    "provenance_missing": ("Thiếu thông tin nguồn gốc: {key}.", "Provenance is missing: {key}."),
    # Rule files.
    "rule_set_unknown": ("Không có bộ tiêu chí tên {name}.", "There is no rule set named {name}."),
    "rule_file_unreadable": ("Không đọc được tệp tiêu chí: {detail}.", "Cannot read the rule file: {detail}."),
    "invalid_tag": ("Mức tin cậy phải là C, P hoặc U.", "The confidence tag must be C, P or U."),
    "years_out_of_set": ("Bảng tuổi nghỉ hưu thiếu năm {year}.", "The retirement-age table has no entry for {year}."),
    "unknown_kind": ("Không có loại chỉ số {kind}.", "There is no indicator kind {kind}."),
    "band_order": ("Mức trên của khoảng hộ có mức sống trung bình phải lớn hơn chuẩn nghèo.",
                   "The middle band's upper bound must be above the poverty line."),
    # Command line.
    "invalid_json": ("Dòng này không phải JSON hợp lệ: {detail}.", "This line is not valid JSON: {detail}."),
    "record_invalid": ("Hồ sơ hộ không hợp lệ.", "The household record is invalid."),
    # Notes in a classification result.
    "quick_screen_stopped": ("Hộ dừng ở Phiếu A (nhận dạng nhanh): không thuộc diện nghèo, cận nghèo; không chấm Phiếu B.",
                             "Stopped by the quick screen (Form A): not poor or near-poor; Form B not scored."),
    "quick_screen_should_stop": ("Trên máy ghi Phiếu A là tiếp tục khảo sát, nhưng theo định nghĩa Phiếu A {form} các "
                                 "mục đã đánh dấu đủ để dừng: hộ được xếp theo Phiếu A.",
                                 "The phone recorded the quick screen as continuing, but under form {form} the items "
                                 "ticked stop it: the household is classified as stopped."),
    "quick_screen_should_continue": ("Phiếu A được ghi là dừng, nhưng theo định nghĩa Phiếu A {form} các mục đã đánh "
                                     "dấu chưa đủ để dừng. Hộ vẫn được coi là dừng ở Phiếu A (Phiếu B chưa được hỏi); "
                                     "cán bộ xã cần kiểm tra lại và trả phiếu để khảo sát Phiếu B nếu cần.",
                                     "The quick screen was recorded as stopped, but under form {form} the items ticked "
                                     "do not stop it. The household stays stopped at Form A (Form B was not asked); "
                                     "the supervisor should check it and return the form for Form B if needed."),
    "points_cannot_decide_middle": ("Điểm B1 trên ngưỡng: không nghèo, không cận nghèo. Điểm B1 không phân biệt được hộ "
                                    "có mức sống trung bình; cần thu nhập thực tế 12 tháng (Phiếu C).",
                                    "B1 points above the threshold: not poor or near-poor. Points cannot tell a "
                                    "middle-income household; that needs actual income of 12 months (Form C)."),
    "middle_band_not_loaded": ("Bộ tiêu chí {rule_set} chưa có chuẩn hộ có mức sống trung bình; hộ trên chuẩn nghèo "
                               "được ghi là không nghèo.",
                               "Rule set {rule_set} has no middle-income band loaded; a household above the line "
                               "is recorded as not poor."),
    "rule_set_provisional": ("Bộ tiêu chí {rule_set} là tạm thời: một số tiêu chí chưa được xác nhận.",
                             "Rule set {rule_set} is provisional: some criteria are not confirmed."),
    "rule_set_not_of_year": ("Phân loại theo bộ tiêu chí {rule_set}, không phải bộ của năm rà soát {year}.",
                             "Classified under rule set {rule_set}, not the one for review year {year}."),
    "malnutrition_not_answered": ("Chưa ghi tình trạng dinh dưỡng của trẻ dưới 16 tuổi (thành viên số {lines}): "
                                  "tính là không suy dinh dưỡng.",
                                  "Nutrition not recorded for a child under 16 (member line {lines}): counted as "
                                  "not malnourished."),
    "school_level_not_answered": ("Chưa ghi cấp học của trẻ đang đi học (thành viên số {lines}): tính là học đúng cấp.",
                                  "School level not recorded for a child at school (member line {lines}): counted "
                                  "as at the right level."),
    "area_differs_from_commune": ("Hồ sơ ghi khu vực {given_vi}, khác với loại đơn vị của mã xã ({derived_vi}); đã dùng "
                                  "khu vực ghi trong hồ sơ.",
                                  "The record gives area '{given}', unlike its commune's type ('{derived}'); the "
                                  "record's area was used."),
}


def encode(code, /, **params):
    """Pack a code and its parameters into one string, for marshmallow's string messages."""
    return code + "|" + json.dumps(params, ensure_ascii=False) if params else code


def decode(text):
    """Split an encoded message into its code and parameters."""
    code, _, params = text.partition("|")
    return code, (json.loads(params) if params else {})


def message(code, /, **params):
    """Return the bilingual text of a code: {"vi": ..., "en": ...}."""
    vi, en = CATALOGUE[code]
    return {"vi": vi.format(**params), "en": en.format(**params)}


def note(code, /, **params):
    """Return a result note: {"code", "vi", "en"}."""
    return {"code": code, **message(code, **params)}
