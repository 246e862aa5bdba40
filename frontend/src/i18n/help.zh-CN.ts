/** The help icon (issue 20 item 14; merged into the zh-CN catalog by i18n/index.ts). */
export default { help: { title: '帮助：本页的使用手册' } }
