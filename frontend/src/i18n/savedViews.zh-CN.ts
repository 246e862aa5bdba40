/** Strings of saved list views (issue 20 item 9; merged into the zh-CN catalog by i18n/index.ts). */
export default {
  savedViews: {
    button: '视图',
    defaults_title: '常用视图',
    saved_title: '已保存的视图',
    none: '还没有保存的视图',
    shared: '共享',
    by: '来自 {name}',
    save: '保存为视图',
    save_title: '保存当前筛选为视图',
    name: '视图名称',
    name_placeholder: '例如：重点客户',
    share: '共享给我的团队',
    share_help: '团队成员可以使用，只有你能修改或删除。',
    saved: '已保存视图“{name}”',
    deleted: '已删除视图“{name}”',
    delete_confirm: '删除视图“{name}”？',
    delete: '删除',
    applied: '已应用视图“{name}”',
    defaults: {
      mine: '我的{noun}',
      this_week: '本周新增',
    },
  },
}
