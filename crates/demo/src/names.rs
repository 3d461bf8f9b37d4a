//! Deterministic synthetic people: common surnames and given names drawn by
//! a small seeded generator, so every run produces the same staff.

const SURNAMES: &[&str] = &[
    "李", "王", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程", "曹", "袁",
    "邓", "许", "傅", "沈", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "余",
    "潘", "杜", "戴", "夏", "田", "任",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "华",
    "平", "刚", "建国", "建华", "志强", "海燕", "红梅", "国强", "晓东", "振华", "春梅", "文博",
    "浩然", "宇航", "思远", "嘉怡", "立新", "卫东", "永刚", "玉兰", "秀英", "桂芳", "德胜", "保国",
    "新民", "长青", "金凤", "学军", "红霞", "俊杰", "子豪", "雨轩", "梦琪", "晨阳",
];

/// A linear congruential generator (Knuth's MMIX constants).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    pub fn person(&mut self) -> String {
        format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN))
    }

    /// A mobile number, deterministic.
    pub fn phone(&mut self) -> String {
        let prefix = ["138", "139", "150", "151", "158", "177", "186", "187"];
        format!("{}{:08}", self.pick(&prefix), self.next() % 100_000_000)
    }
}
